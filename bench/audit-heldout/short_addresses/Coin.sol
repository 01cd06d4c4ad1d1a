pragma solidity ^0.4.18;

contract Coin {
    mapping(address => uint256) balances;

    function Coin() public {
        balances[msg.sender] = 10000;
    }

    function sendCoin(address receiver, uint256 amount) public returns (bool) { // VULN
        if (balances[msg.sender] < amount) return false;
        balances[msg.sender] -= amount;
        balances[receiver] += amount;
        return true;
    }
}
