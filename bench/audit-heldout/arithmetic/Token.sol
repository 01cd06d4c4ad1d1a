pragma solidity ^0.5.0;

contract Token {
    mapping(address => uint256) public balanceOf;
    uint256 public totalSupply;

    function batchTransfer(address[] memory to, uint256 value) public {
        uint256 total = to.length * value; // VULN
        require(balanceOf[msg.sender] >= total);
        balanceOf[msg.sender] -= total;
        for (uint256 i = 0; i < to.length; i++) {
            balanceOf[to[i]] += value; // VULN
        }
    }

    function burn(uint256 value) public {
        balanceOf[msg.sender] -= value; // VULN
        totalSupply -= value;
    }
}
