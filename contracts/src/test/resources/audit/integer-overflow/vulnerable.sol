pragma solidity ^0.4.24;

contract Points {
    mapping(address => uint256) public points;

    function grant(address to, uint256 amount) public {
        require(amount > 0);
        points[to] += amount;
    }

    function spend(uint256 amount) public {
        points[msg.sender] -= amount;
    }
}
